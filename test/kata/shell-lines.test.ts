import { describe, expect, it } from 'vitest';
import { splitCommands } from '../../src/kata/shell-lines.js';

const texts = (code: string): string[] => splitCommands(code, 1).commands.map((c) => c.text);

describe('splitCommands', () => {
  it('gives one command per line with its kata line', () => {
    const { commands } = splitCommands('kubectl get pods\n\nkubectl get svc\n', 10);
    expect(commands.map((c) => [c.text, c.line])).toEqual([
      ['kubectl get pods', 10],
      ['kubectl get svc', 12],
    ]);
  });

  it('joins backslash continuations into one line', () => {
    expect(texts('kubectl create deploy nginx \\\n   --image nginx \\\n   --replicas 2\necho done')).toEqual([
      'kubectl create deploy nginx --image nginx --replicas 2',
      'echo done',
    ]);
  });

  it('drops comment lines but keeps a # inside quotes', () => {
    expect(texts('# set up\necho "a # b"\n  # indented comment\nls')).toEqual(['echo "a # b"', 'ls']);
  });

  it('keeps pipes, $(...) and one-line loops intact', () => {
    expect(texts('for ii in {1..20}; do curl multitool; done | sort\nkubectl logs $(kubectl get po -o name | head -1)')).toEqual([
      'for ii in {1..20}; do curl multitool; done | sort',
      'kubectl logs $(kubectl get po -o name | head -1)',
    ]);
  });

  it('keeps a loop spread over lines as one command', () => {
    expect(texts('for i in 1 2 3\ndo\n  echo $i\ndone\necho after')).toEqual(['for i in 1 2 3\ndo\n  echo $i\ndone', 'echo after']);
  });

  it('keeps if/fi and while/done blocks whole', () => {
    expect(texts('if true; then\n  echo yes\nfi\nwhile false; do\n  :\ndone')).toEqual([
      'if true; then\n  echo yes\nfi',
      'while false; do\n  :\ndone',
    ]);
  });

  it('keeps a heredoc with its body', () => {
    expect(texts('cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nEOF\necho next')).toEqual([
      'cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nEOF',
      'echo next',
    ]);
  });

  it('keeps a quoted string that spans lines', () => {
    expect(texts("echo 'one\ntwo'\nls")).toEqual(["echo 'one\ntwo'", 'ls']);
  });

  it('joins a line ending in a pipe with the next', () => {
    expect(texts('kubectl get po |\n  grep nginx')).toEqual(['kubectl get po |\n  grep nginx']);
  });

  it('with $ prompts, runs only prompted lines and treats the rest as output', () => {
    const result = splitCommands('$ kubectl get po\nNAME READY\nnginx 1/1\n$ echo hi\nhi', 1);
    expect(result.prompted).toBe(true);
    expect(result.commands.map((c) => [c.text, c.line])).toEqual([
      ['kubectl get po', 1],
      ['echo hi', 4],
    ]);
  });

  it('flags a command left open at the end of the block', () => {
    const { commands } = splitCommands('echo "never closed\nls', 1);
    expect(commands).toHaveLength(1);
    expect(commands[0]?.unfinished).toBe(true);
  });
});
