/**
 * A lock shared by threads through one int32 of a SharedArrayBuffer: 0 free, 1 taken. A worker blocks while it
 * waits, which suits a session worker (it has nothing else to do meanwhile; messages wait in its port). Not for the
 * main thread (Atomics.wait is refused there), and never nested in one thread (it would wait for itself).
 */
export async function inTurn<T>(turn: SharedArrayBuffer | undefined, work: () => Promise<T>): Promise<T> {
	if (!turn) return work();
	const lock = new Int32Array(turn);
	while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1);
	try {
		return await work();
	} finally {
		Atomics.store(lock, 0, 0);
		Atomics.notify(lock, 0, 1);
	}
}
