/**
 * Nothing that leaves the process carries credentials: values that look like tokens, keys or
 * kubeconfig secrets are masked in output excerpts, reasons and check details, wherever they go
 * (plain lines, the UI, JSON, JUnit). Checks read the output before it is masked.
 */

/**
 * `name: value` where the name says credential, unless it says where one is (`secretName`,
 * `secretNamespace`, `tokenFile`, `--token-path`, `passwordRef`: a secret's name is no secret).
 * A kubeconfig's certificate fields are masked with its key, though a certificate is not secret:
 * reports never contain the kubeconfig. What kubectl prints in their place (`DATA+OMITTED`,
 * `REDACTED`) is kept.
 */
const SECRET =
  /((?:[\w-]*(?:token|secret|password|passwd|credential|api[-_]?key|access[-_]?key|private[-_]?key|\.key|dockerconfigjson|dockercfg)[\w-]*(?<!name|namespace|ref|file|path)|client-key-data|client-certificate-data|certificate-authority-data)["']?\s*[:=]\s*["']?)(?!DATA\+OMITTED|REDACTED\b)([^\s"']{8,})/gi;
/** An HTTP Authorization header's credential, whatever its scheme (Basic, Bearer, token, ...) and case. */
const AUTHORIZATION = /((?:proxy-)?authorization["']?\s*:\s*["']?[A-Za-z][\w-]*\s+)([^\s"']{8,})/gi;
/** A bearer token elsewhere; not a plain lowercase word after it (`bearer authentication.` is prose). */
const BEARER = /(\b(?:Bearer|bearer|BEARER)\s+)(?![a-z]+\.?(?![A-Za-z0-9._~+/=-]))[A-Za-z0-9._~+/-]{8,}=*/g;
/** Bare tokens: JWTs (what `kubectl create token` prints), GitHub, Slack and AWS keys. */
const BARE =
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16})\b/g;
/** A cheap first look: most lines hold none of these, and skip the rest. Whatever the patterns above match holds one of them. */
const MAYBE = /token|secret|passw|credential|key|dockerc|certificate|authoriz|bearer|eyJ|gh[pousr]_|github_pat_|xox|AKIA|ASIA/i;

/** Masks credential-looking values in a line of output. */
export function redact(line: string): string {
  if (!MAYBE.test(line)) return line;
  return line
    .replace(SECRET, '$1[redacted]')
    .replace(AUTHORIZATION, '$1[redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(BARE, '[redacted]');
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;

/** Masks lines as they come, private key blocks included (the lines between BEGIN and END). */
export class Redactor {
  private inKey = false;

  line(line: string): string {
    const wasInKey = this.inKey;
    this.follow(line);
    if (wasInKey) return this.inKey ? '[redacted]' : line;
    if (PEM_BEGIN.test(line))
      return line.replace(/(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/, '$1[redacted]$2');
    return redact(line);
  }

  /**
   * Follows a line that will not be shown (one an excerpt leaves out), so that the lines after it
   * are masked as if it had been: only a BEGIN or END of a key block matters, and a line without
   * `PRIVATE KEY-----` holds neither, which keeps a flood of output (even of dashes) cheap.
   */
  skip(line: string): void {
    if (line.includes('PRIVATE KEY-----')) this.follow(line);
  }

  private follow(line: string): void {
    if (this.inKey) {
      if (PEM_END.test(line)) this.inKey = false;
    } else if (PEM_BEGIN.test(line)) {
      this.inKey = !PEM_END.test(line);
    }
  }
}
