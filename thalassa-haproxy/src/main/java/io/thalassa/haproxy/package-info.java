/**
 * HAProxy for Thalassa: renders a {@link io.thalassa.ThalassaConfig} to haproxy.cfg with StringTemplate 4.
 *
 * <pre>{@code
 * HaproxySettings settings = HaproxySettings.builder()
 *     .statsSocket(Path.of("/run/thalassa/haproxy.sock"))
 *     .serverStateFile(Path.of("/run/thalassa/server-state"))
 *     .statsListener(new Bind("127.0.0.1", 1988))
 *     .build();
 * RenderedConfig cfg = HaproxyConfigRenderer.defaultTemplate().render(config, settings);
 * Files.writeString(Path.of("/etc/haproxy/haproxy.cfg"), cfg.text());
 * cfg.warnings().forEach(log::warn); // routes to backends that do not exist yet, left out
 * }</pre>
 */
package io.thalassa.haproxy;
