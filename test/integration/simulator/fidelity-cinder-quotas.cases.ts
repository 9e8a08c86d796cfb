// Cinder's quota sets, which `openstack quota show` reads next to nova's, on both clouds.
import { type FidelityCase, observe } from '../../support/fidelity.ts';

export const cinderQuotaCases: FidelityCase[] = [
  {
    name: 'volume quotas: a member reads its own (with usage) and the defaults, not another project; an admin sets and reverts',
    async run(t) {
      const m = t.member;
      const a = t.admin;
      const project = await t.call(a, 'identity', 'POST', '/projects', { project: { name: `${t.prefix}-volquota` } });
      const projectId = project.body.project.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/projects/${projectId}`));
      const q = (path: string) => ({ path: `/os-quota-sets/${path}` });
      const forbidden = { same: ['forbidden.code'] };
      return [
        await observe(t, m, 'volumev3', 'own quotas', 200, q(`${m.projectId}?usage=False`)),
        await observe(t, m, 'volumev3', 'own quotas with usage', 200, q(`${m.projectId}?usage=True`), {
          same: ['quota_set.per_volume_gigabytes.limit'],
        }),
        await observe(t, m, 'volumev3', 'defaults', 200, q(`${m.projectId}/defaults`), {
          same: ['quota_set.volumes', 'quota_set.gigabytes', 'quota_set.groups'],
        }),
        await observe(t, m, 'volumev3', "another project's quotas", 403, q(t.admin.projectId), forbidden),
        await observe(
          t,
          m,
          'volumev3',
          'a member may not update',
          403,
          { ...q(m.projectId), method: 'PUT', body: { quota_set: { volumes: 5 } } },
          forbidden,
        ),
        await observe(
          t,
          a,
          'volumev3',
          'an admin updates',
          200,
          { ...q(projectId), method: 'PUT', body: { quota_set: { volumes: 7, gigabytes: 70 } } },
          { same: ['quota_set.volumes', 'quota_set.gigabytes'] },
        ),
        await observe(
          t,
          a,
          'volumev3',
          'an unknown quota',
          400,
          { ...q(projectId), method: 'PUT', body: { quota_set: { gizmos: 1 } } },
          { same: ['badRequest.code'] },
        ),
        await observe(t, a, 'volumev3', 'the update shows', 200, q(projectId), {
          same: ['quota_set.volumes', 'quota_set.gigabytes'],
        }),
        await observe(t, a, 'volumev3', 'revert', 200, { ...q(projectId), method: 'DELETE' }),
        await observe(t, a, 'volumev3', 'back to the defaults', 200, q(projectId), { same: ['quota_set.volumes'] }),
      ];
    },
  },
];
