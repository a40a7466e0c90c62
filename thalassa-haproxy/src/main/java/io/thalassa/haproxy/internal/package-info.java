/**
 * The parts the {@link io.thalassa.haproxy.HaproxyController} is made of, each with one job: the HAProxy process
 * (launch, adoption, reload, limits, its log), slot planning, runtime command batches and drains, validation, reload
 * coalescing, the coalesced file, the stats poller, change ids and file-descriptor arithmetic. Not an API: use the
 * controller, or {@link io.thalassa.runtime.Thalassa}.
 */
package io.thalassa.haproxy.internal;
