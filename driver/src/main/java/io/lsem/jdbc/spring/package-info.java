/**
 * Spring Boot support, loaded only when Spring Boot is on the application's class path: lets
 * {@code spring.datasource.url=jdbc:lsem:postgresql://…} work without
 * {@code spring.datasource.driver-class-name}. Spring Boot derives the driver class from the URL
 * prefix and does not know {@code jdbc:lsem:}, so without this it fails at start-up with
 * "Failed to determine a suitable driver class". Spring Boot is an optional, {@code provided}
 * dependency of the driver; nothing here is loaded by plain JDBC use.
 */
package io.lsem.jdbc.spring;
