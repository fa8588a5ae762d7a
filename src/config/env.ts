/** Where `${VAR}` values and connection URLs come from. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * `env[name]` for the environment's own variables only. A plain lookup reads the prototype too:
 * `connection_env: constructor` would find `Object` (and `process.env.constructor` exists).
 */
export function readEnv(env: Env, name: string): string | undefined {
  if (!Object.hasOwn(env, name)) return undefined;
  const value = env[name];
  return typeof value === "string" ? value : undefined;
}
