/**
 * The starter's translation of properties into the library's builders, the config file, the HTTP server and the
 * failure analyzer; not an API.
 */
package io.thalassa.spring.internal;
