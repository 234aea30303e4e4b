import { ConsoleMessage, expect, test as base } from '@playwright/test';
import fs from 'node:fs';

export { expect };

/** What the browser console said during a test, errors and warnings only. */
export interface ConsoleProblem {
  type: string;
  text: string;
  location: string;
}

const problemOf = (msg: ConsoleMessage): ConsoleProblem => {
  const { url, lineNumber } = msg.location();
  return {
    type: msg.type(),
    text: msg.text(),
    location: `${url}:${lineNumber}`,
  };
};

const OURS = /plugins\/mesh-posture\//;

/**
 * Warnings React prints about a library's own internals, whoever renders
 * it: Material UI v4 and material-table (core-components' Table) use
 * findDOMNode and defaultProps. No caller can fix them.
 */
const LIBRARY_INTERNALS = [
  /^Warning: findDOMNode is deprecated/,
  /^Warning: %s: Support for defaultProps will be removed/,
];

/**
 * Whether the suite's own code caused a console problem: it was logged
 * from the suite's sources, or the nearest of the suite's or the app's
 * components in the stack React appends (innermost first, past library
 * components such as a table body) is the suite's, e.g. a duplicate key in
 * one of its lists. Warnings of Backstage's own pages are not ours to fix.
 */
export function isSuiteProblem(problem: ConsoleProblem): boolean {
  if (OURS.test(problem.location)) return true;
  if (problem.type === 'pageerror') return OURS.test(problem.text);
  if (LIBRARY_INTERNALS.some(r => r.test(problem.text))) return false;
  const nearest = problem.text
    .split(/\s+at /)
    .slice(1)
    .find(f => f.includes('(') && !f.includes('node_modules'));
  return nearest !== undefined && OURS.test(nearest);
}

/**
 * The suite's tests: each records the console's errors and warnings (and
 * uncaught page errors) and fails on those the suite's own code causes.
 */
export const test = base.extend<{ consoleProblems: ConsoleProblem[] }>({
  consoleProblems: [
    async ({ page }, use, testInfo) => {
      const problems: ConsoleProblem[] = [];
      page.on('console', msg => {
        if (msg.type() === 'error' || msg.type() === 'warning') {
          problems.push(problemOf(msg));
        }
      });
      page.on('pageerror', error =>
        problems.push({
          type: 'pageerror',
          text: error.stack ?? error.message,
          location: '',
        }),
      );
      await use(problems);
      // Kept as an artefact: what a reviewer would see in the console.
      fs.mkdirSync('e2e-test-report/console', { recursive: true });
      fs.writeFileSync(
        `e2e-test-report/console/${testInfo.titlePath
          .join(' ')
          .replace(/[^\w-]+/g, '-')
          .slice(0, 100)}.json`,
        JSON.stringify(problems, null, 2),
      );
      expect(
        problems.filter(isSuiteProblem).map(p => p.text.slice(0, 400)),
        'errors and warnings of the suite in the browser console',
      ).toEqual([]);
    },
    { auto: true },
  ],
});
