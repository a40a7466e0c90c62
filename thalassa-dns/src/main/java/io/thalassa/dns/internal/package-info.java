/** The DNS registry's queries; not an API. */
package io.thalassa.dns.internal;
