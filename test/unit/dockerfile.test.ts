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
    assert.equal(cmd, `CMD ${JSON.stringify(pkg.scripts["start"]!.split(" ")).replace(/","/g, '", "')}`);
    const readme = read("README.md");
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /runs `node dist\/src\/main\.js`/);
    assert.match(dockerfile, /RUN npm run build/, "dist/ is built in the image");
  });

  it("exposes the health port it configures and checks health there", () => {
    const port = /NIXIE_HEALTH_PORT=(\d+)/.exec(dockerfile)?.[1];
    assert.ok(port, "the image sets NIXIE_HEALTH_PORT");
    assert.deepEqual(of("EXPOSE"), [`EXPOSE ${port}`]);
    const hc = of("HEALTHCHECK")[0] ?? "";
    assert.match(hc, new RegExp(`http://127\\.0\\.0\\.1:${port}/healthz`));
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
