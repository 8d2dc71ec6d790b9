/**
 * Resolves in a new task, after the page (or Worker) has had the thread: long work is cut at these
 * points so no one task holds the main thread long (input and other widgets run between the
 * pieces). A message, not a timer: timers in a background tab wait a second or more.
 * `MessageChannel` is in browsers, Workers and Node alike.
 * @module
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
