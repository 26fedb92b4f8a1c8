// Runs tasks one at a time per key (an account stream), in arrival order. Commands for one account then
// never race each other inside this process, so a burst of orders costs no version conflicts; writers in
// other processes are still handled by the expected-revision check and its retry.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
