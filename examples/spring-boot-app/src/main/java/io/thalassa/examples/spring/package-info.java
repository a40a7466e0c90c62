/**
 * A Spring Boot application behind Thalassa: {@link io.thalassa.examples.spring.GreetingApplication}, with
 * {@code io.thalassa:thalassa-spring-boot-starter} and the {@code thalassa.*} properties of its application.yml.
 *
 * <pre>{@code
 * mvn -B -DskipTests install                                  # the library, once
 * mvn -pl examples/spring-boot-app spring-boot:run
 * curl http://127.0.0.1:8000/hello                            # through HAProxy: hello from 127.0.0.1:8080
 * curl http://127.0.0.1:8080/actuator/health                  # thalassa: haproxy, registry, store
 * }</pre>
 */
package io.thalassa.examples.spring;
