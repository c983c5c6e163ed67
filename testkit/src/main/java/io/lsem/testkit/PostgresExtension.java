package io.lsem.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: gives each test class its own fresh database on the JVM's
 * {@link PostgresServer} and drops it afterwards. Test methods, constructors and lifecycle
 * methods receive it as a {@link TestDatabase} parameter.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    TestDatabase db = PostgresServer.shared().createDatabase(context.getRequiredTestClass().getSimpleName());
    context.getStore(NS).put(TestDatabase.class, db);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestDatabase db = context.getStore(NS).remove(TestDatabase.class, TestDatabase.class);
    if (db != null) {
      db.drop();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      TestDatabase db = c.getStore(NS).get(TestDatabase.class, TestDatabase.class);
      if (db != null) {
        return db;
      }
    }
    throw new IllegalStateException("no test database: is PostgresExtension registered on the class?");
  }
}
