/**
 * The environment of a training thread: the worker's, without what gives access to hpo itself
 * (the Redis URL, API tokens, passwords, keys). Model modules run in these threads; they need no
 * secret of hpo's. Note that code in the process can still read /proc/self/environ: allow in
 * HPO_MODEL_DIRS only code you trust to run as the worker (docs/model-modules.md).
 */
const SECRET = /^(REDIS_URL|HPO_URL)$|TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|(^|_)KEY$|_KEY_/i;

/** `env` without the variables that hold hpo's secrets (SECRET). */
export function threadEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !SECRET.test(name)) out[name] = value;
  return out;
}
