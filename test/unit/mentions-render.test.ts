import assert from "node:assert/strict";
import { mention, rich, textReply, type Reply } from "../../src/core/reply.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";

describe("replies that may ping: only the users they list", () => {
  const post = (userId: string, mentions?: string[]): Reply => ({
    blocks: [{ kind: "text", text: rich(mention("alice", userId), ": @room @everyone <@1234567890> has reached nixos-unstable") }],
    ...(mentions ? { mentions } : {}),
  });

  it("Matrix: m.mentions.user_ids holds exactly the listed users, with a pill in the HTML and the name in the body", () => {
    const m = renderMatrix(post("@alice:example.org", ["@alice:example.org"]));
    assert.deepEqual(m["m.mentions"], { user_ids: ["@alice:example.org"] });
    assert.match(m.formatted_body, /^<p><a href="https:\/\/matrix.to\/#\/%40alice%3Aexample.org">alice<\/a>: @room/);
    assert.match(m.body, /^alice: @room/);
    assert.deepEqual(renderMatrix(post("@alice:example.org"))["m.mentions"], {});
    assert.deepEqual(renderMatrix(textReply("hi @room"))["m.mentions"], {});
  });

  it("Discord: allowed_mentions names only the listed users and parses nothing; other mentions in the text stay defused", () => {
    const d = renderDiscord(post("1100000000000000031", ["1100000000000000031"]));
    assert.deepEqual(d.allowedMentions, { parse: [], users: ["1100000000000000031"] });
    assert.match(d.content!, /^<@1100000000000000031>: @\u200beveryone|^<@1100000000000000031>: @room @\u200beveryone <\u200b@1234567890>/);
    assert.deepEqual(renderDiscord(post("1100000000000000031")).allowedMentions, { parse: [] });
    // An id that is not a Discord user id is shown as text and never allowed.
    const odd = renderDiscord(post("@alice:example.org", ["@alice:example.org"]));
    assert.deepEqual(odd.allowedMentions, { parse: [] });
    assert.match(odd.content!, /^alice: /);
  });

  it("plain text shows the name", () => {
    assert.match(renderPlain(post("@alice:example.org", ["@alice:example.org"])), /^alice: @room/);
  });
});
