// Records the engine's events for a kata into test/ui/recordings/NAME.json, so the UI's tests
// replay what a real run emits. Run after `npm run build`: node test/ui/record.mjs KATA NAME
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKata } from '../../dist/kata/parse.js';
import { Engine } from '../../dist/run/engine.js';

const [file, name] = process.argv.slice(2);
const kata = loadKata(file);
const events = [];
const engine = new Engine({
  kata,
  values: new Map(),
  env: { ...process.env },
  cwd: dirname(resolve(file)),
  listener: (e) => events.push(e),
});
await engine.run();
const out = fileURLToPath(new URL(`./recordings/${name}.json`, import.meta.url));
writeFileSync(out, `${JSON.stringify(events, null, 1)}\n`);
console.log(`${events.length} events -> ${out}`);
