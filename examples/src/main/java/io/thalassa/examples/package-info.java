/**
 * Programs that embed Thalassa, compiled and run against the real HAProxy (and Consul) in the build, so the README
 * stays true: {@link io.thalassa.examples.EmbeddingExample} (the README's program), static backends, the embedded and
 * the Consul registry with a blue/green switch, a canary split, a fleet of two nodes on one Consul, and the model
 * alone ({@link io.thalassa.examples.ModelExample}).
 */
package io.thalassa.examples;
