package io.lsem.jdbc.spring.boot;

import io.lsem.jdbc.LsemProperty;
import io.lsem.jdbc.pool.LsemDataSource;
import io.lsem.jdbc.pool.PoolStats;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;

/** Spring Boot's view of an {@link LsemDataSource}'s pool, read from {@link LsemDataSource#stats()}. */
final class LsemPoolMetadata implements DataSourcePoolMetadata {
  private final LsemDataSource dataSource;

  LsemPoolMetadata(LsemDataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Float getUsage() {
    PoolStats s = dataSource.stats();
    return s.max() <= 0 ? 0f : s.active() / (float) s.max();
  }

  @Override
  public Integer getActive() {
    return dataSource.stats().active();
  }

  @Override
  public Integer getIdle() {
    return dataSource.stats().idle();
  }

  /** The pool's size once it has started; before, the configured {@code poolMaxSize}. */
  @Override
  public Integer getMax() {
    PoolStats s = dataSource.stats();
    return s.max() > 0 ? s.max() : Integer.valueOf(configured(LsemProperty.POOL_MAX_SIZE));
  }

  @Override
  public Integer getMin() {
    return Integer.valueOf(configured(LsemProperty.POOL_MIN_IDLE));
  }

  private String configured(LsemProperty p) {
    String value = dataSource.getProperty(p.propertyName());
    return value != null ? value : p.defaultValue();
  }

  /** The pool validates with the protocol's own check (pgjdbc's {@code isValid}), not a query. */
  @Override
  public String getValidationQuery() {
    return null;
  }

  @Override
  public Boolean getDefaultAutoCommit() {
    return Boolean.valueOf(configured(LsemProperty.POOL_AUTO_COMMIT));
  }
}
