package io.thalassa.http.internal;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads one request's body as its bytes arrive, without a thread waiting for them (Jetty's demand-driven reads), and
 * within a deadline: the whole body, at most {@code max} bytes, or a refusal. A client that sends the headers and then
 * only part of the body holds a connection until the deadline, never a thread.
 *
 * <p>Everything done while holding this object's lock is non-blocking (reading what has arrived, asking Jetty for
 * more, writing a refusal); {@link Listener#onBody} runs outside it, on a thread that may block.
 */
final class RequestBody implements Invocable.Task {
    /** What comes of the read; exactly one of the two is called, once. */
    interface Listener {
        /** The whole body; called on a thread that may block (the handler's own, or one of the executor's). */
        void onBody(byte[] body);

        /**
         * The body cannot be had: too large (413), not complete in time (408), cut short (400). Called while reading,
         * so it must not block; the connection is not reused, as the rest of the body may still be coming.
         */
        void onRefused(ApiException refusal);
    }

    /** The most memory reserved for a body before its bytes come. */
    private static final int INITIAL = 8192;

    private final Request request;
    private final int max;
    private final long maxDiscard;
    private final Duration timeout;
    private final Executor executor;
    private final Listener listener;
    private final ByteArrayOutputStream bytes;
    /** How much of a too-large body was dropped; -1 while it fits. */
    private long dropped = -1;
    private boolean finished;
    private boolean expired;
    private Scheduler.Task deadline;

    private RequestBody(Request request, int max, long maxDiscard, Duration timeout, Listener listener) {
        this.request = request;
        this.max = max;
        this.maxDiscard = maxDiscard;
        this.timeout = timeout;
        this.executor = request.getComponents().getExecutor();
        this.listener = listener;
        // grown as bytes come: a Content-Length alone (of a client that sends nothing) reserves no memory
        this.bytes = new ByteArrayOutputStream((int) Math.max(0, Math.min(request.getLength() < 0 ? 8192
                : request.getLength(), INITIAL)));
    }

    /**
     * Starts reading the body of {@code request}: what has arrived is read at once, and when that is all of it,
     * {@link Listener#onBody} runs on the calling thread before this returns; otherwise the rest is read as it arrives.
     *
     * @param max        the most bytes accepted; a larger body is read on and dropped, up to {@code maxDiscard}
     *                   bytes, so a client that sends it all reads the 413, then refused
     * @param timeout    how long the whole body may take to arrive, from now
     */
    static void read(Request request, int max, long maxDiscard, Duration timeout, Listener listener) {
        RequestBody body = new RequestBody(request, max, maxDiscard, timeout, listener);
        byte[] complete;
        synchronized (body) {
            complete = body.pump();
            if (!body.finished) { // only a body that is still coming gets a deadline: most requests have it all
                body.deadline = request.getComponents().getScheduler().schedule(body::expire, timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        if (complete != null) {
            listener.onBody(complete);
        }
    }

    /** Reads on once more has arrived (Jetty's demand callback), or once the read failed. */
    @Override
    public void run() {
        byte[] complete;
        synchronized (this) {
            complete = pump();
        }
        if (complete != null) {
            try {
                executor.execute(() -> listener.onBody(complete));
            } catch (RejectedExecutionException e) { // the server is stopping
                listener.onRefused(new ApiException(503, "unavailable", null, "the daemon is stopping"));
            }
        }
    }

    /** Reading what has arrived copies bytes and asks for more: it never blocks, so Jetty may call it on any thread. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /**
     * Reads every chunk that has arrived; asks to be called again when there is none. Holds the lock.
     *
     * @return the whole body when this call read its end, else null (more is coming, or the read was refused, or
     *         another call finished it)
     */
    private byte[] pump() {
        while (!finished) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this); // may call run() at once, on this thread, when something arrived meanwhile
                return null;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                chunk.release();
                refuse(expired ? timedOut() : ApiException.badRequest("incomplete_body", null,
                        "the request body could not be read: " + (failure.getMessage() == null
                                ? failure.getClass().getSimpleName() : failure.getMessage())));
                return null;
            }
            boolean last = chunk.isLast();
            take(chunk);
            chunk.release();
            if (dropped > maxDiscard) { // not worth reading on: the connection closes after the 413
                refuse(tooLarge(max));
                return null;
            }
            if (last) {
                if (dropped >= 0) {
                    refuse(tooLarge(max));
                    return null;
                }
                finished = true;
                cancelDeadline();
                return bytes.toByteArray();
            }
        }
        return null;
    }

    private void take(Content.Chunk chunk) {
        int n = chunk.remaining();
        if (n == 0) {
            return;
        }
        if (dropped < 0 && bytes.size() + (long) n <= max) {
            java.nio.ByteBuffer b = chunk.getByteBuffer();
            if (b.hasArray()) {
                bytes.write(b.array(), b.arrayOffset() + b.position(), n);
            } else {
                byte[] copy = new byte[n];
                b.duplicate().get(copy);
                bytes.writeBytes(copy);
            }
            return;
        }
        if (dropped < 0) { // the body is too large: keep nothing more, count what is dropped
            dropped = bytes.size();
            bytes.reset();
        }
        dropped += n;
    }

    private void refuse(ApiException refusal) {
        finished = true;
        cancelDeadline();
        listener.onRefused(refusal);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel();
        }
    }

    /** The deadline: fails the read, which calls {@link #run()} with the failure if it waits for bytes. */
    private void expire() {
        synchronized (this) {
            if (finished) {
                return;
            }
            expired = true;
            // under the lock: no read of this body runs meanwhile, and the pending demand is called with the failure
            request.fail(new TimeoutException("the request body did not arrive within " + timeout.toMillis() + " ms"));
        }
    }

    private ApiException timedOut() {
        return new ApiException(408, "request_timeout", null, "the request body did not arrive within "
                + timeout.toMillis() / 1000.0 + " s (" + (dropped >= 0 ? dropped : bytes.size()) + " bytes of "
                + (request.getLength() < 0 ? "a chunked body" : request.getLength()) + " came)");
    }

    static ApiException tooLarge(int max) {
        return new ApiException(413, "payload_too_large", null, "the request body is larger than " + max + " bytes");
    }
}
