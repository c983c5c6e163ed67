package io.lsem.jdbc.spring.boot;

import io.lsem.jdbc.pool.LsemDataSource;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code spring.datasource.url} is a {@code jdbc:lsem:} URL and
 * {@code spring.datasource.type} is unset or names {@link LsemDataSource}.
 */
final class LsemPoolCondition implements Condition {
  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    String url = context.getEnvironment().getProperty("spring.datasource.url");
    String type = context.getEnvironment().getProperty("spring.datasource.type");
    return url != null && url.startsWith("jdbc:lsem:")
        && (type == null || type.isBlank() || type.equals(LsemDataSource.class.getName()));
  }
}
