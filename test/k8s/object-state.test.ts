import { describe, expect, it } from 'vitest';
import { describeJson } from '../../src/k8s/object-state.js';

describe('the state of an object a kata created, as evidence', () => {
  it('says how many replicas are ready and why a deployment is not available', () => {
    expect(
      describeJson({
        spec: { replicas: 2 },
        status: {
          replicas: 2,
          readyReplicas: 1,
          availableReplicas: 1,
          updatedReplicas: 2,
          conditions: [
            {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
          ],
        },
      }),
    ).toEqual([
      'replicas 2: 1 ready, 1 available, 2 updated',
      'condition Available=False (MinimumReplicasUnavailable: Deployment does not have minimum availability.)',
    ]);
    expect(describeJson({ spec: { replicas: 1 }, status: {} })).toEqual(['replicas 1: 0 ready']);
  });

  it('gives a service its type, address, ports and selector', () => {
    expect(
      describeJson({
        spec: {
          type: 'ClusterIP',
          clusterIP: '10.0.0.7',
          ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
          selector: { app: 'web' },
        },
      }),
    ).toEqual(['type ClusterIP, cluster IP 10.0.0.7, ports 80->8080/TCP, selector app=web']);
  });

  it('says an object is being deleted, a job how its pods did, and that a plain object exists', () => {
    expect(
      describeJson({ metadata: { deletionTimestamp: '2026-12-02T07:00:00Z' }, status: { active: 0, succeeded: 0, failed: 3 } }),
    ).toEqual(['being deleted since 2026-12-02T07:00:00Z', 'pods: 0 active, 0 succeeded, 3 failed']);
    expect(describeJson({ metadata: {} })).toEqual(['exists']);
  });
});
