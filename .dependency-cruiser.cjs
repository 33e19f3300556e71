/**
 * The rooms of DESIGN.md, enforced: each folder may import only the rooms its row allows.
 * Type-only imports count too (tsPreCompilationDeps), so a wrong-way `import type` fails the build.
 * Tests and benchmarks may import anything, so they are left out of every rule's `from`.
 */
const TESTS = '(\\.test\\.ts$|^test/|^bench/|/contract/)';

/** The project's own folders; npm packages and Node built-ins are not rooms and stay allowed. */
const PROJECT = '^(src|adapters|flows|mappings|test|bench)/';

/** A rule: files under `from` may import no project file outside `allowed`. */
function room(name, from, allowed) {
  return {
    name,
    severity: 'error',
    comment: `${from} may import only ${allowed.join(', ')} (DESIGN.md, rooms)`,
    from: { path: from, pathNot: TESTS },
    to: { path: PROJECT, pathNot: allowed },
  };
}

module.exports = {
  forbidden: [
    room('domain-is-pure', '^src/domain/', ['^src/domain/']),
    room('mappings-use-domain', '^mappings/', ['^mappings/', '^src/domain/']),
    room('adapters-use-domain', '^adapters/', ['^adapters/', '^src/domain/']),
    room('db-uses-domain', '^src/db/', ['^src/db/', '^src/domain/']),
    room('jobs-use-db-and-domain', '^src/jobs/', ['^src/jobs/', '^src/db/', '^src/domain/']),
    room('flows-use-ports-not-vendors', '^flows/', [
      '^flows/',
      '^src/domain/',
      '^src/db/',
      '^src/jobs/',
      '^mappings/',
      '^adapters/ports\\.ts$',
      '^adapters/registry\\.ts$',
    ]),
    room('http-uses-the-layers-below', '^src/http/', [
      '^src/http/',
      '^src/domain/',
      '^src/db/',
      '^src/jobs/',
      '^mappings/',
      '^adapters/',
      '^flows/',
      '^src/hub\\.ts$',
    ]),
    // The console's pages call repositories, domain, jobs and mappings like the API routes do; they reach a
    // vendor only through the hub's ports (HubContext.adaptersFor), never a vendor folder.
    room('ui-uses-repos-not-vendors', '^src/http/ui/', [
      '^src/http/',
      '^src/domain/',
      '^src/db/',
      '^src/jobs/',
      '^mappings/',
      '^flows/',
      '^adapters/ports\\.ts$',
    ]),
    {
      name: 'only-repositories-touch-the-schema',
      severity: 'error',
      comment:
        'tables are read and written through src/db/repos/ (where org scoping lives); ' +
        'the runtimes open the database with the schema and query nothing (DESIGN.md, rooms)',
      from: { path: PROJECT, pathNot: `${TESTS}|^src/db/|^src/runtime/(d1|sqlite)\\.ts$` },
      to: { path: '^src/db/schema\\.ts$' },
    },
    {
      name: 'only-repositories-write-sql',
      severity: 'error',
      comment: 'queries are built in src/db/ (repositories), not around them; the runtimes only open the database',
      from: { path: PROJECT, pathNot: `${TESTS}|^src/db/|^src/runtime/(d1|sqlite)\\.ts$` },
      to: { path: '^node_modules/drizzle-orm/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import loop (type-only included) ties files that should stand alone',
      from: { pathNot: TESTS },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stays in the graph (not followed) so a rule can name a package: drizzle-orm.
    exclude: { path: '__fixtures__' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
