/**
 * A pure function of a string, remembered for at most `capacity` distinct arguments in `answers`: past that, the
 * oldest answer is forgotten first, so the memory it holds stays bounded however many distinct arguments it sees.
 * (`answers` is a parameter so that a test can look at it.)
 */
export const bounded = <A>(
  f: (key: string) => A,
  capacity: number,
  answers: Map<string, A> = new Map()
): (key: string) => A =>
(key) => {
  if (answers.has(key)) return answers.get(key) as A
  const answer = f(key)
  if (answers.size >= capacity) answers.delete(answers.keys().next().value as string)
  answers.set(key, answer)
  return answer
}
