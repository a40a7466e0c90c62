/** A registry backed by Consul: members from health-passing service instances, watched with blocking queries. */
package io.thalassa.consul;
