/** `kata --help`: the commands, the options of `run`, and the exit codes. */
export const HELP = `kata: run hands-on Kubernetes katas written in Markdown

Usage:
  kata run FILE [options]     run a kata: every step, every check, then the cleanup
  kata test PATH... [options]
                              run every kata in these files and folders, each in a namespace
                              of its own; a summary table, one JUnit and one JSON report
  kata plan FILE [--json]     show the steps, shells, checks and cleanup of a kata
  kata lint FILE...           report what a kata author should fix (exit 1 on errors)
  kata lab up [--mesh] | down [--purge] | status | env | mesh up|down|status
                              a local single-node Kubernetes for katas, with a real Istio on
                              --mesh (root; see lab/README.md); \`env\` prints the shell lines
                              that point kubectl at it; its state is in $KATA_LAB_DIR
                              (default /var/lib/kata-runner/lab)
  kata cleanup [FILE]         remove what runs that were killed (SIGKILL, a crash) left behind:
                              their processes, temporary folders and cluster objects, found by
                              the record each run keeps in $XDG_STATE_HOME/kata-runner/runs/
                              (\`kata run\` does this first, for every kata); exit 1 when
                              something could not be removed (it is kept for the next time)
  kata doctor [--context NAME] [--namespace NS]
                              can katas run on this cluster? (exit 1 when not)
  kata --version | --help

Options of run:
  --yes                       run every step without asking (headless, plain output; also
                              when stdout is not a terminal or CI is set)
  --resume                    continue at the first unfinished step of the last interactive run
  --set "NAME=VALUE"          value of a placeholder, e.g. --set "nginx POD=nginx-7d8b4-x2m4q"
  --report junit=PATH         write a JUnit XML report (also json=PATH); repeatable
  --keep-going                go on after a failed step (cleanup runs in any case)
  --keep                      skip the cleanup phase on purpose (the report lists what the
                              kata created as left in place)
  --timeout DURATION          timeout of a step without its own (default 2m)
  --namespace NS, --context NAME   where the kata runs on the cluster
  --lab                       run on the local lab (brought up first when it is not running;
                              with its Istio mesh when the kata needs one)

Options of test:
  --jobs N                    katas run at the same time (default 2)
  --retries N                 re-run a failed kata from a clean namespace up to N times; one
                              that passes on a retry is flaky (exit 0, its own status)
  --report junit=PATH         one testsuite per kata (also json=PATH: every kata's reports,
                              the totals and the runner, cluster and mesh versions)
  --prove                     show that every check on the output or the cluster can fail
                              (run again before the steps it depends on, or judged on its
                              output with the expected text removed); a check that cannot
                              "proves nothing" (file:line) and fails its kata
  --set, --timeout, --context as for run
  A kata that needs a mesh the cluster lacks, or applies a file not next to it, is skipped; one
  that cannot be read is errored (exit 2) and the others still run.

Exit codes: 0 ok, 1 failed (a step, check or cleanup; lint errors), 2 usage or kata error,
3 cluster unreachable or unauthorized, 4 internal error, 130 interrupted (a step or the
cleanup was stopped; a Ctrl-C during the cleanup only warns, a second one skips the rest).
See README.md for the annotation language and the plan JSON.
`;
