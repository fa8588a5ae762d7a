import { parseConnectionUrl, redactUrl } from "../drivers/url.js";
import { scrubSecrets } from "../errors.js";

/** Query parameters that carry a credential in the URLs the drivers accept. */
const SECRET_PARAMS = /^(password|pass|pwd|passwd|sslpassword|secret|token|api_?key)$/i;

/**
 * Every form of a credential that `url` carries: the whole URL, the userinfo password (raw and
 * decoded) and credential query parameters. A fleet member's URL is built from a template, so
 * its password may come from `${VAR}` or from a catalog column: either way it is a secret.
 */
export function urlSecrets(url: string, dir: string): string[] {
  let parsed: string[] = [];
  try {
    parsed = parseConnectionUrl(url, dir, "").secrets;
  } catch {
    // An unparseable URL is reported elsewhere, without repeating it.
  }
  return withCredentialParams(url, parsed);
}

/** {@link urlSecrets} when the URL is already parsed: its `secrets` plus credential query parameters. */
export function withCredentialParams(url: string, parsedSecrets: readonly string[]): string[] {
  const secrets = [...parsedSecrets];
  const query = url.indexOf("?");
  if (query !== -1) {
    for (const [key, value] of new URLSearchParams(url.slice(query + 1))) if (SECRET_PARAMS.test(key) && value !== "") secrets.push(value);
  }
  // The whole URL is a secret only when it carries one (else scrubbing it would hide the target).
  return secrets.length > 0 ? [url, ...secrets] : [];
}

/** The URL for messages and listings: password redacted, credential parameters scrubbed. */
export function displayUrl(url: string, dir: string): string {
  return scrubSecrets(redactUrl(url), urlSecrets(url, dir));
}

/** {@link displayUrl} when the URL is already parsed (`parsedSecrets` from `parseConnectionUrl`): no second parse. */
export function displayParsedUrl(url: string, parsedSecrets: readonly string[]): string {
  return scrubSecrets(redactUrl(url), withCredentialParams(url, parsedSecrets));
}
