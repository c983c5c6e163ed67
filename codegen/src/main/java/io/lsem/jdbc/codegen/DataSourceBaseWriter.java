package io.lsem.jdbc.codegen;

/** Writes the source of a {@link GenerateDataSourceBase} class. */
final class DataSourceBaseWriter {
  private DataSourceBaseWriter() {}

  static String source(String packageName, String name, String over, String annotated) {
    return """
        package %1$s;

        import java.sql.Connection;
        import java.sql.SQLException;

        /**
         * Generated for {@link %4$s} (see {@code GenerateDataSourceBase}): {@code %3$s} with the
         * {@code jdbc:lsem:} URL, the driver's properties and connections through the driver.
         */
        abstract class %2$s extends %3$s implements LsemDataSourceProperties {
          private static final long serialVersionUID = 1L;
          final DataSourceSettings lsem = new DataSourceSettings();

          /** Takes a {@code jdbc:lsem:postgresql:} URL; throws {@link IllegalArgumentException} naming the expected form otherwise. */
          @Override
          public void setUrl(String url) {
            super.setUrl(lsem.plainUrl(url));
          }

          @Override
          public void setURL(String url) {
            setUrl(url);
          }

          /** The {@code jdbc:lsem:} URL, the driver's properties included. */
          @Override
          public String getUrl() {
            return lsem.lsemUrl(super.getUrl());
          }

          @Override
          public String getURL() {
            return getUrl();
          }

          /** Sets a driver property (validated now, as in the URL) or a pgjdbc one. */
          @Override
          public void setProperty(String name, String value) throws SQLException {
            LsemProperty p = lsem.owned(name);
            if (p != null) {
              lsem.set(p, value);
            } else {
              super.setProperty(name, value);
            }
          }

          @Override
          public String getProperty(String name) throws SQLException {
            LsemProperty p = lsem.owned(name);
            return p != null ? lsem.get(p) : super.getProperty(name);
          }

          @Override
          public void setDriverProperty(LsemProperty property, String value) {
            lsem.set(property, value);
          }

          @Override
          public String getDriverProperty(LsemProperty property) {
            return lsem.get(property);
          }

          /** A connection of the driver, for {@code user} and {@code password}. */
          @Override
          public Connection getConnection(String user, String password) throws SQLException {
            return lsem.connect(super.getUrl(), user, password);
          }

          /** A reference that {@link LsemObjectFactory} turns back into the public class, the driver's properties included. */
          @Override
          protected javax.naming.Reference createReference() {
            return DataSourceSettings.reference(getClass());
          }

          @Override
          public javax.naming.Reference getReference() throws javax.naming.NamingException {
            return lsem.addTo(super.getReference());
          }
        }
        """.formatted(packageName, name, over, annotated);
  }
}
