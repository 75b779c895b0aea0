/** Reports never carry credentials: lines that look like tokens or kubeconfig secrets are masked. */
const SECRET = /((?:token|client-key-data|client-certificate-data|certificate-authority-data|password|secret)["']?\s*[:=]\s*["']?)([^\s"']{8,})/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/g;

/** Masks credential-looking values in a line of output. */
export function redact(line: string): string {
  return line.replace(SECRET, '$1[redacted]').replace(BEARER, '$1[redacted]');
}
