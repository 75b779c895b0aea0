import { describe, expect, it } from 'vitest';
import { shellCommand } from '../../src/exec/interactive.js';

describe('the learner’s own shell', () => {
  it('is bash in the kata’s folder on this machine', () => {
    expect(shellCommand({ kind: 'host', cwd: '/katas' })).toEqual({ file: 'bash', args: [], cwd: '/katas' });
  });

  it('is kubectl exec -it into the pod (and container) of the step’s shell, with its shell', () => {
    expect(shellCommand({ kind: 'pod', target: 'nginx-7d8b4-x2m4q', container: 'nginx', shell: 'bash' })).toEqual({
      file: 'kubectl',
      args: ['exec', '-it', 'nginx-7d8b4-x2m4q', '-c', 'nginx', '--', 'bash'],
    });
    expect(shellCommand({ kind: 'pod', target: 'pod/multitool', shell: 'sh' }, '/opt/kubectl')).toEqual({
      file: '/opt/kubectl',
      args: ['exec', '-it', 'pod/multitool', '--', 'sh'],
    });
  });
});

describe('the learner’s shell with the kata shell’s state', () => {
  const state = { cwd: '/tmp/work dir', exports: 'declare -x WORKDIR="/tmp/work dir"' };

  it('on this machine: bash with an rc file, in the kata shell’s directory', () => {
    expect(shellCommand({ kind: 'host', cwd: '/katas' }, 'kubectl', state, '/tmp/rc')).toEqual({
      file: 'bash',
      args: ['--rcfile', '/tmp/rc', '-i'],
      cwd: '/tmp/work dir',
    });
  });

  it('in a pod: the directory and variables are passed as arguments, not spliced into the script', () => {
    const { args } = shellCommand({ kind: 'pod', target: 'nginx', shell: 'bash' }, 'kubectl', state);
    expect(args.slice(0, 5)).toEqual(['exec', '-it', 'nginx', '--', 'sh']);
    expect(args.slice(-3)).toEqual(['sh', state.exports, state.cwd]);
  });
});
