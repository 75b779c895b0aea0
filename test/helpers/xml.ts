/** XML read by a real parser (xmllint), for the tests of the JUnit reports. */
import { spawnSync } from 'node:child_process';

/** Why xmllint cannot check XML here, or undefined when it can. */
export const xmllintMissing =
  spawnSync('xmllint', ['--version']).status === 0 ? undefined : 'xmllint is not installed: apt-get install -y libxml2-utils';

/** xmllint's complaints about `xml` ('' when it is well-formed, and valid against `schema` when one is given). */
export function xmllintErrors(xml: string, schema?: string): string {
  const args = schema === undefined ? ['--noout', '-'] : ['--noout', '--schema', schema, '-'];
  const result = spawnSync('xmllint', args, { input: xml, encoding: 'utf8' });
  return result.status === 0 ? '' : `${result.stderr}(exit ${result.status})`;
}

/** What an XPath expression gives on `xml`, as xmllint reads it. */
export function xpath(xml: string, expression: string): string {
  const result = spawnSync('xmllint', ['--xpath', expression, '-'], { input: xml, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`xmllint --xpath ${expression}: ${result.stderr}`);
  return result.stdout.trim();
}
