import { describe, expect, it } from 'vitest';
import { proseBlocks, proseText } from '../../src/ui/markdown.js';

describe('prose from Markdown', () => {
  it('keeps headings, emphasis, inline code and links (with their address)', () => {
    const blocks = proseBlocks('## Serve it\n\nRun *this* with **care**: `curl nginx`, see [the docs](https://k8s.io/docs).');
    expect(blocks[0]).toMatchObject({ kind: 'heading', spans: [{ text: 'Serve it', bold: true }] });
    const spans = blocks[1]!.spans;
    expect(spans).toContainEqual({ text: 'this', italic: true });
    expect(spans).toContainEqual({ text: 'care', bold: true });
    expect(spans).toContainEqual({ text: 'curl nginx', code: true });
    expect(spans).toContainEqual({ text: 'the docs', link: true });
    expect(spans).toContainEqual({ text: ' (https://k8s.io/docs)', dim: true });
  });

  it('numbers and bullets lists, nests them, and bars block quotes', () => {
    const text = proseText(proseBlocks('1. one\n2. two\n   - inner\n\n> quoted *text*'));
    expect(text).toBe('1. one\n2. two\n  • inner\n│ quoted text');
  });

  it('shows an image as its alt text and path', () => {
    expect(proseText(proseBlocks('![the mesh](images/mesh.png)'))).toBe('[image: the mesh] (images/mesh.png)');
  });

  it('drops annotations and HTML tags but keeps placeholders', () => {
    expect(proseText(proseBlocks('<!-- kata: id x -->\nLook at <nginx POD> and <name>.<br>'))).toBe('Look at <nginx POD> and <name>.');
  });
});
