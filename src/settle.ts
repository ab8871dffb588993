/**
 * Like Promise.all, but answers only when every task has ended: a failed request must not
 * leave storage calls or child processes running (and retrying) behind its answer.
 */
export async function settleAll<T extends readonly unknown[]> (tasks: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(tasks)
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failure !== undefined) throw failure.reason
  return results.map(result => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
