// The store contract against real Redis and PostgreSQL servers started by test/e2e/run.sh.
import { storeContract } from "../helpers/store-suite.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which starts the server`);
  return v;
}

storeContract("redis", () => required("NIXIE_E2E_REDIS_URL"));
storeContract("postgres", () => required("NIXIE_E2E_POSTGRES_URL"));
