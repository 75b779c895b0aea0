import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKGROUND_MS } from '../../src/kata/infer/index.js';
import { kata, kataError, stepWith } from '../helpers/kata.js';

const fence = '```';

describe('which blocks run', () => {
  it('runs shell blocks and shows yaml, json, pasted tables and output after "looks like this"', () => {
    const k = kata(`
      # T
      ${fence}console
      kubectl get pods
      ${fence}

      ${fence}
      NAME     READY   STATUS
      nginx    1/1     Running
      ${fence}

      ${fence}yaml
      kind: Pod
      ${fence}

      You should see output that looks like this:

      ${fence}console
      Using 10.0.0.1:3000, header ''
      ${fence}

      The algorithm:

      ${fence}
      age = random(0,100)
      ${fence}
    `);
    expect(k.steps.map((s) => [s.run, s.shownReason])).toEqual([
      [true, undefined],
      [false, 'output'],
      [false, 'yaml block'],
      [false, 'output'],
      [false, 'not commands'],
    ]);
  });

  it('runs a command block even when the sentence before it promises output', () => {
    const k = kata(`
      If we run the following command in another terminal, we will see that a container was added:

      ${fence}console
      kubectl get po web -o yaml
      ${fence}
    `);
    expect(k.steps[0]?.run).toBe(true);
  });

  it('treats an unlabelled block right after a command block as its output', () => {
    const k = kata(`
      ${fence}console
      ./scripts/loop-query.sh
      ${fence}
      ${fence}
      Egon is 40 years.
      ${fence}
    `);
    expect(k.steps.map((s) => s.run)).toEqual([true, false]);
  });

  it('lets `run` force a block and `skip` show one', () => {
    const k = kata(`
      <!-- kata: run -->
      ${fence}
      NAME=value
      ${fence}

      <!-- kata: skip -->
      ${fence}console
      rm -rf /tmp/x
      ${fence}
    `);
    expect(k.steps.map((s) => [s.run, s.shownReason])).toEqual([
      [true, undefined],
      [false, 'skip annotation'],
    ]);
    expect(k.steps[1]?.commands.map((c) => c.text)).toEqual(['rm -rf /tmp/x']);
  });

  it('keeps the prose that introduces each step, without annotations', () => {
    const k = kata(`
      # Title

      First *do* this:

      <!-- kata: id first -->
      ${fence}console
      echo one
      ${fence}
    `);
    expect(k.title).toBe('Title');
    expect(k.steps[0]?.prose).toBe('# Title\n\nFirst *do* this:');
    expect(k.steps[0]?.proseLine).toBe(1);
    expect(k.steps[0]?.line).toBe(7);
    expect(k.steps[0]?.blockLine).toBe(6);
  });

  it('titles a kata without headings after its file', () => {
    expect(kata('just text', 'katas/my-kata.md').title).toBe('my-kata');
  });
});

describe('shell contexts', () => {
  const base = `
    ${fence}console
    kubectl create deploy multitool --image praqma/network-multitool
    ${fence}

    Exec into the tooling POD:

    ${fence}console
    kubectl exec -it <multitool POD> -- bash
    ${fence}

    ${fence}console
    curl nginx
    ${fence}
  `;

  it('runs non-kubectl commands in the most recently opened shell and kubectl on the host', () => {
    const k = kata(`${base}
    ${fence}console
    kubectl get pods
    ${fence}
    `);
    const opener = stepWith(k, 'kubectl exec');
    expect(opener).toMatchObject({ context: 'host', opens: 'multitool' });
    expect(stepWith(k, 'curl nginx')).toMatchObject({ context: 'multitool', contextReason: 'most-recent' });
    expect(stepWith(k, 'kubectl get pods')).toMatchObject({ context: 'host', contextReason: 'kubectl-on-host' });
    expect(k.contexts).toEqual([
      expect.objectContaining({ name: 'multitool', openedBy: opener.id, aliases: expect.arrayContaining(['multitool', 'tooling']) }),
    ]);
  });

  it('runs on the host when the text says "in another terminal"', () => {
    const k = kata(`${base}
    In another terminal, look at the files:

    ${fence}console
    ls /tmp
    ${fence}
    `);
    expect(stepWith(k, 'ls /tmp')).toMatchObject({ context: 'host', contextReason: 'host-cue' });
  });

  it('goes back to a shell the text names ("from the tooling container")', () => {
    const k = kata(`${base}
    ${fence}console
    kubectl debug -it <nginx POD> --image praqma/network-multitool -- bash
    ${fence}

    ${fence}console
    ip link list
    ${fence}

    Now, from the tooling container, repeat the request:

    ${fence}console
    curl nginx -v
    ${fence}
    `);
    expect(stepWith(k, 'ip link list')).toMatchObject({ context: 'nginx-debug', contextReason: 'most-recent' });
    expect(stepWith(k, 'curl nginx -v')).toMatchObject({ context: 'multitool', contextReason: 'named-cue' });
    expect(k.diagnostics.some((d) => d.line === stepWith(k, 'ip link list').line && d.message.includes('most recently opened'))).toBe(true);
  });

  it('does not open a shell for a one-shot exec', () => {
    const k = kata(`
      ${fence}console
      kubectl exec -it <POD on node-2> -- touch /tmp/ready
      ls
      ${fence}
    `);
    expect(k.contexts).toEqual([]);
    expect(stepWith(k, 'ls').context).toBe('host');
  });

  it('splits a block that opens a shell and then uses it', () => {
    const k = kata(`
      <!-- kata: id go-in; as box -->
      ${fence}console
      kubectl run -it tmp --image busybox -- sh
      hostname
      exit
      ${fence}

      ${fence}console
      hostname
      ${fence}
    `);
    expect(k.steps.map((s) => [s.id, s.context, s.commands.map((c) => c.text)])).toEqual([
      ['go-in', 'host', ['kubectl run -it tmp --image busybox -- sh']],
      ['go-in-2', 'box', ['hostname', 'exit']],
      ['s3', 'host', ['hostname']],
    ]);
  });

  it('follows `in` and rejects an unknown context with the annotation line', () => {
    const k = kata(`${base}
    <!-- kata: in host -->
    ${fence}console
    ls
    ${fence}
    `);
    expect(stepWith(k, 'ls')).toMatchObject({ context: 'host', contextReason: 'annotation' });
    const error = kataError(() =>
      kata(`
        <!-- kata: in nowhere -->
        ${fence}console
        ls
        ${fence}
      `),
    );
    expect(error.line).toBe(1);
    expect(error.message).toContain('no context named "nowhere"');
  });

  it('names contexts apart when two different shells share a base name', () => {
    const k = kata(`
      ${fence}console
      kubectl exec -it web -c a -- sh
      ${fence}
      ${fence}console
      kubectl exec -it web -c b -- sh
      ${fence}
    `);
    expect(k.contexts.map((c) => c.name)).toEqual(['web', 'web-2']);
  });

  it('rejects `as host`', () => {
    expect(kataError(() => kata(`<!-- kata: as host -->\n${fence}console\nkubectl exec -it p -- sh\n${fence}\n`)).message).toContain(
      'cannot name a context',
    );
  });
});

describe('background steps', () => {
  it('bounds a tcpdump by the step the text says to re-run', () => {
    const k = kata(`
      ${fence}console
      curl nginx
      ${fence}

      ${fence}console
      tcpdump -i eth0 -XX
      ${fence}

      With the command above, and re-running the \`curl\` command you will see traffic.

      ${fence}console
      echo next
      ${fence}
    `);
    const dump = stepWith(k, 'tcpdump');
    expect(dump.background).toBe(true);
    expect(dump.bound).toEqual({ kind: 'while', step: stepWith(k, 'curl nginx').id, inferred: true });
  });

  it('keeps a background step running while the next step runs, or for a fixed time at the end', () => {
    const k = kata(`
      ${fence}console
      kubectl logs -f deploy/web
      ${fence}
      ${fence}console
      kubectl get pods
      ${fence}
      ${fence}console
      kubectl get pods -w
      ${fence}
    `);
    expect(stepWith(k, 'logs -f').bound).toEqual({ kind: 'while', step: 's2', inferred: true });
    expect(stepWith(k, 'pods -w').bound).toEqual({ kind: 'for', ms: DEFAULT_BACKGROUND_MS, inferred: true });
  });

  it('puts a long-running command in a step of its own', () => {
    const k = kata(`
      ${fence}console
      cd /tmp
      tail -f log
      echo after
      ${fence}
    `);
    expect(k.steps.map((s) => [s.background, s.commands.length])).toEqual([
      [false, 1],
      [true, 1],
      [false, 1],
    ]);
  });

  it('takes explicit bounds from annotations and validates `while`', () => {
    const k = kata(`
      <!-- kata: id req -->
      ${fence}console
      curl nginx
      ${fence}
      <!-- kata: background for 3s -->
      ${fence}console
      tcpdump -i lo
      ${fence}
      <!-- kata: background while req -->
      ${fence}console
      tcpdump -i eth0
      ${fence}
      <!-- kata: background -->
      ${fence}console
      ./serve.sh
      ${fence}
    `);
    expect(stepWith(k, 'tcpdump -i lo').bound).toEqual({ kind: 'for', ms: 3000, inferred: false });
    expect(stepWith(k, 'tcpdump -i eth0').bound).toEqual({ kind: 'while', step: 'req', inferred: false });
    expect(stepWith(k, './serve.sh')).toMatchObject({ background: true, bound: { kind: 'for', inferred: true } });

    expect(kataError(() => kata(`<!-- kata: background while nope -->\n${fence}console\ntcpdump\n${fence}\n`)).message).toContain(
      'names no step',
    );
    const later = kataError(() =>
      kata(
        `<!-- kata: background while c -->\n${fence}console\ntcpdump\n${fence}\n${fence}console\nls\n${fence}\n<!-- kata: id c -->\n${fence}console\nls\n${fence}\n`,
      ),
    );
    expect(later.message).toContain('must name an earlier step');
  });
});

describe('placeholders and inferred checks', () => {
  it('lists placeholders per step', () => {
    const k = kata(`
      ${fence}console
      kubectl logs <nginx POD>
      kubectl exec -it <POD on node-1> -- touch /tmp/x
      ${fence}
    `);
    expect(k.steps[0]?.placeholders).toEqual([{ name: 'nginx POD', podOfApp: 'nginx' }, { name: 'POD on node-1' }]);
  });

  it('turns "you should expect to see the *X*" into an inferred check on the command it names', () => {
    const k = kata(`
      ${fence}console
      kubectl exec -it <multitool POD> -- bash
      ${fence}

      and query the web server with a \`curl\` command. You should expect to see the
      *Welcome to nginx!* HTML output from the curl command.

      ${fence}console
      curl nginx
      ${fence}
    `);
    expect(stepWith(k, 'curl nginx').checks).toEqual([
      {
        kind: 'contains',
        text: 'Welcome to nginx!',
        inferred: true,
        line: 5,
        because: 'You should expect to see the *Welcome to nginx!* HTML output from the curl command.',
      },
    ]);
  });

  it('points "above" back at the previous step and accepts quoted phrases', () => {
    const k = kata(`
      ${fence}console
      echo hello world
      ${fence}

      The command above should print "hello world".

      ${fence}console
      echo other
      ${fence}
    `);
    expect(stepWith(k, 'echo hello').checks.map((c) => c.kind === 'contains' && c.text)).toEqual(['hello world']);
    expect(stepWith(k, 'echo other').checks).toEqual([]);
  });

  it('ignores bold stress and leaves annotated steps to their own checks', () => {
    const k = kata(`
      You should see **two** containers.

      ${fence}console
      kubectl get pods
      ${fence}

      Run the following, you should see *Welcome*:

      <!-- kata: expect contains "Welcome to nginx!" -->
      ${fence}console
      curl nginx
      ${fence}
    `);
    expect(k.steps.flatMap((s) => s.checks).map((c) => c.inferred)).toEqual([false]);
  });
});

describe('cleanup phase and annotation placement', () => {
  it('puts everything under a Cleanup heading of any level into the cleanup phase', () => {
    const k = kata(`
      # Kata
      ${fence}console
      kubectl create ns x
      ${fence}
      ## Clean up
      ${fence}console
      kubectl delete ns x
      ${fence}
      ### Details
      ${fence}console
      kubectl get ns
      ${fence}
      ## More
      ${fence}console
      echo main again
      ${fence}
    `);
    expect(k.steps.map((s) => s.phase)).toEqual(['main', 'cleanup', 'cleanup', 'main']);
    expect(k.sections.map((s) => [s.title, s.cleanup])).toEqual([
      ['Kata', false],
      ['Clean up', true],
      ['Details', false],
      ['More', false],
    ]);
  });

  it('applies an annotation inside a list item to the fence after it', () => {
    const k = kata(`
      - step one:
        <!-- kata: id listed -->
        ${fence}console
        echo in a list
        ${fence}
    `);
    expect(k.steps[0]?.id).toBe('listed');
  });

  it('rejects an annotation that is not followed by a code block', () => {
    const error = kataError(() => kata(`text\n\n<!-- kata: skip -->\n\nmore text\n\n${fence}console\nls\n${fence}\n`));
    expect(error.message).toContain('not followed by a code block');
    expect(error.line).toBe(3);
  });

  it('rejects an annotation that is never closed, and one mixed with other HTML', () => {
    expect(kataError(() => kata(`<!-- kata: skip\n\n${fence}console\nls\n${fence}\n`)).message).toContain('never closed');
    expect(kataError(() => kata(`<!-- kata: skip --> <b>x</b>\n${fence}console\nls\n${fence}\n`)).message).toContain('shares its lines');
  });

  it('rejects duplicate step ids', () => {
    const error = kataError(() =>
      kata(`<!-- kata: id a -->\n${fence}console\nls\n${fence}\n\n<!-- kata: id a -->\n${fence}console\nls\n${fence}\n`),
    );
    expect(error.message).toContain('step id "a" is already used');
    expect(error.line).toBe(6);
  });

  it('rejects an unclosed fence with the line it opens on', () => {
    const error = kataError(() => kata(`# T\n\ntext\n\n${fence}console\nkubectl get pods\n`));
    expect(error.line).toBe(5);
    expect(error.message).toContain('never closed');
  });

  it('accepts fences inside block quotes and with longer closing fences', () => {
    const k = kata(`> ${fence}yaml\n> a: 1\n> ${fence}\n\n${fence}console\nls\n${fence}${'`'}\n`);
    expect(k.steps.map((s) => s.run)).toEqual([false, true]);
  });
});
