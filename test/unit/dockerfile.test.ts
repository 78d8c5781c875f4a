// What can be checked about the image without a Docker engine: the files it copies exist, the
// start command is the README's, ports agree, the base is pinned, and it does not run as root.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";

const read = (f: string) => readFileSync(join(projectRoot, f), "utf8");
const dockerfile = read("Dockerfile");
// Join continuation lines, drop comments.
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const of = (op: string) => instructions.filter((l) => l.toUpperCase().startsWith(`${op} `));
const ignored = read(".dockerignore")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));

describe("Dockerfile", () => {
  it("copies only files that exist in the repository and are not ignored", () => {
    const copies = of("COPY").filter((l) => !/--from=/.test(l));
    assert.ok(copies.length >= 4);
    for (const line of copies) {
      const parts = line.split(/\s+/).slice(1);
      for (const src of parts.slice(0, -1)) {
        assert.ok(existsSync(join(projectRoot, src)), `COPY source ${src} does not exist`);
        assert.ok(!ignored.includes(src), `COPY source ${src} is excluded by .dockerignore`);
      }
    }
  });

  it("pins every base image by its full version and uses a slim Node LTS", () => {
    const froms = of("FROM");
    assert.equal(froms.length, 2, "a build stage and a runtime stage");
    for (const f of froms) assert.match(f, /^FROM node:(22|24)\.\d+\.\d+-bookworm-slim( AS \w+)?$/);
  });

  it("starts the program that npm start runs, as the README documents", () => {
    const cmd = of("CMD").at(-1) ?? "";
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts["start"], "node dist/src/main.js");
    assert.equal(cmd, `CMD ${JSON.stringify(pkg.scripts["start"].split(" ")).replace(/","/g, '", "')}`);
    const readme = read("README.md");
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /runs `node dist\/src\/main\.js`/);
    assert.match(dockerfile, /RUN npm run build/, "dist/ is built in the image");
  });

  it("exposes the health port it configures and checks health where nixie listens", () => {
    const port = /NIXIE_HEALTH_PORT=(\d+)/.exec(dockerfile)?.[1];
    assert.ok(port, "the image sets NIXIE_HEALTH_PORT");
    assert.deepEqual(of("EXPOSE"), [`EXPOSE ${port}`]);
    const hc = of("HEALTHCHECK");
    assert.equal(hc.length, 1);
    // No port of its own: the script reads NIXIE_HEALTH_PORT/NIXIE_HEALTH_HOST (or the config file) as nixie does.
    assert.match(hc[0]!, /CMD \["node", "dist\/scripts\/healthcheck\.js"\]$/);
    assert.doesNotMatch(hc[0]!, /127\.0\.0\.1|:\d{2,5}\b/, "no hard-coded address or port");
    assert.ok(existsSync(join(projectRoot, "scripts", "healthcheck.ts")), "scripts/healthcheck.ts is compiled to dist/scripts/healthcheck.js");
    const build = JSON.parse(read("tsconfig.build.json")) as { include: string[] };
    assert.ok(build.include.includes("scripts/**/*.ts"), "npm run build compiles scripts/");
    assert.ok(
      of("COPY").some((l) => /^COPY scripts /.test(l)),
      "scripts/ reaches the build stage",
    );
    assert.ok(
      of("COPY").some((l) => /^COPY --from=build \/app\/dist /.test(l)),
      "dist/ reaches the runtime stage",
    );
    assert.match(dockerfile, /NIXIE_HEALTH_HOST=0\.0\.0\.0/, "reachable from outside the container");
  });

  it("runs as a non-root user with the store on the /data volume", () => {
    const users = of("USER");
    assert.ok(users.length > 0 && !/root|^USER 0/.test(users.at(-1)!), "non-root user");
    assert.match(dockerfile, /VOLUME \["\/data"\]/);
    assert.match(dockerfile, /NIXIE_STORE_URL=sqlite:\/\/\/data\/nixie\.sqlite/);
  });

  it("installs with npm ci and keeps only production dependencies in the final stage", () => {
    assert.match(dockerfile, /RUN npm ci/);
    assert.match(dockerfile, /npm prune --omit=dev/);
    const pkg = JSON.parse(read("package.json")) as { allowScripts?: Record<string, boolean>; dependencies: Record<string, string> };
    assert.equal(pkg.allowScripts?.["sqlite3"], true, "sqlite3's native build is approved");
    assert.equal(pkg.allowScripts?.["@matrix-org/matrix-sdk-crypto-nodejs"], true, "the Matrix encryption library's download is approved");
    for (const name of ["discord.js", "matrix-bot-sdk", "keyv", "pino", "node-cron", "rss-parser"]) assert.ok(pkg.dependencies[name], `${name} is a production dependency`);
  });
});

describe("Dockerfile stages", () => {
  const stages = dockerfile
    .split(/^FROM /m)
    .slice(1)
    .map((s) => `FROM ${s}`);
  const [build = "", runtime = ""] = stages;

  it("builds sqlite3 offline: node-gyp takes the image's own Node headers (build stage only)", () => {
    assert.match(build, /^ENV npm_config_nodedir=\/usr\/local$/m);
    assert.ok(build.indexOf("npm_config_nodedir") < build.indexOf("RUN npm ci"), "set before npm ci");
    assert.doesNotMatch(runtime, /nodedir/);
  });

  it("keeps only sqlite3's addon of its build in node_modules", () => {
    const ci = instructions.find((l) => l.startsWith("RUN npm ci")) ?? "";
    assert.match(ci, /test -f build\/Release\/node_sqlite3\.node/, "fails when the addon is missing");
    assert.match(ci, /rm -rf build deps src/);
    assert.match(ci, /mv node_sqlite3\.node build\/Release\/$/, "the addon goes back where bindings looks for it");
  });

  it("installs nix-bin and bubblewrap for !eval in the runtime stage, without recommends or apt lists", () => {
    const apt = runtime
      .replace(/\\\n/g, " ")
      .split("\n")
      .find((l) => /apt-get install/.test(l));
    assert.ok(apt, "an apt-get install in the runtime stage");
    assert.match(apt, /apt-get install -y --no-install-recommends nix-bin bubblewrap/);
    assert.match(apt, /rm -rf \/var\/lib\/apt\/lists\/\*/);
    assert.doesNotMatch(build, /nix-bin|bubblewrap/);
  });
});

describe("docker-compose.yml", () => {
  const compose = read("docker-compose.yml");
  it("runs nixie with Redis, a volume, and secrets from an env file", () => {
    assert.match(compose, /env_file: nixie\.env/);
    assert.match(compose, /NIXIE_STORE_URL: redis:\/\/redis:6379/);
    assert.match(compose, /nixie-data:\/data/);
    assert.match(compose, /image: redis:\d+\.\d+/);
    assert.doesNotMatch(compose, /TOKEN=\S+\n(?!#)/, "no secrets in the compose file itself");
  });
});
