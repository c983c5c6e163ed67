package io.lsem.jdbc.spring;

import org.springframework.boot.EnvironmentPostProcessor;

/**
 * For Spring Boot 4 and later: when {@code spring.datasource.url} is a {@code jdbc:lsem:} URL and
 * no {@code spring.datasource.driver-class-name} is set, supplies
 * {@code io.lsem.jdbc.LsemDriver} as the lowest-precedence default, because Spring Boot cannot
 * derive a driver class from that URL prefix. Any driver class name the application sets wins.
 * Registered in {@code META-INF/spring.factories} under
 * {@code org.springframework.boot.EnvironmentPostProcessor}; runs last, after the application's
 * configuration files are loaded.
 */
public final class DriverClassNamePostProcessor extends DefaultingPostProcessor implements EnvironmentPostProcessor {}
