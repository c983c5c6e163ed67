package io.lsem.jdbc.spring;

/**
 * The same default as {@link DriverClassNamePostProcessor}, through the Spring Boot 2.x/3.x
 * interface {@code org.springframework.boot.env.EnvironmentPostProcessor} (deprecated in Boot 4.0,
 * still honoured by 4.0 and 4.1). Registered in {@code META-INF/spring.factories} under that
 * interface's name. Boot 4.0/4.1 run both post-processors; the second finds the work done and
 * changes nothing.
 */
@SuppressWarnings({"deprecation", "removal"})
public final class LegacyDriverClassNamePostProcessor extends DefaultingPostProcessor
    implements org.springframework.boot.env.EnvironmentPostProcessor {}
