// Server name filters as nova's database reads them: MySQL's REGEXP, a search (not anchored) under a
// case-insensitive collation, with POSIX classes such as [[:digit:]]. Matched with RE2 (re2js, pure JS): it never
// backtracks, so its time is linear in the name whatever the pattern, and no name_regex can stall the event loop.
import { RE2JS } from 're2js';

/** Why a pattern is refused, without echoing it: RE2 has no lookaround and no backreferences. */
export const NAME_REGEX_SYNTAX = 'RE2 syntax: no lookaround or backreferences';

/** Whether `name` contains a match of `pattern`, ignoring case. Throws when RE2 cannot compile the pattern. */
export function nameRegexMatcher(pattern: string): (name: string) => boolean {
  const compiled = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  return (name) => compiled.matcher(name).find();
}

/** Whether RE2 compiles `pattern`. */
export function isValidNameRegex(pattern: string): boolean {
  try {
    nameRegexMatcher(pattern);
    return true;
  } catch {
    return false;
  }
}
