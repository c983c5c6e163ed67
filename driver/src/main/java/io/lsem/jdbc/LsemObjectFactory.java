package io.lsem.jdbc;

import java.util.Hashtable;
import java.util.Set;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.RefAddr;
import javax.naming.Reference;
import org.postgresql.ds.common.BaseDataSource;
import org.postgresql.ds.common.PGObjectFactory;

/**
 * Rebuilds the LSEM data source classes from a JNDI {@link Reference}, as pgjdbc's
 * {@code PGObjectFactory} rebuilds pgjdbc's: pgjdbc's properties as pgjdbc stores them, the
 * driver's properties from their own entries (checked as when set). Their
 * {@code getReference()} names this factory; other references are left to pgjdbc's factory.
 */
public class LsemObjectFactory extends PGObjectFactory {
  private static final Set<String> OURS = Set.of(LsemSimpleDataSource.class.getName(),
      LsemConnectionPoolDataSource.class.getName(), LsemXADataSource.class.getName());

  @Override
  public Object getObjectInstance(Object obj, Name name, Context nameCtx, Hashtable<?, ?> environment) throws Exception {
    if (!(obj instanceof Reference) || !OURS.contains(((Reference) obj).getClassName())) {
      return super.getObjectInstance(obj, name, nameCtx, environment);
    }
    Reference ref = (Reference) obj;
    BaseDataSource ds = (BaseDataSource) Class.forName(ref.getClassName()).getConstructor().newInstance();
    loadBaseDataSource(ds, ref);
    for (LsemProperty p : LsemProperty.values()) {
      RefAddr a = ref.get(p.propertyName());
      if (a != null && a.getContent() != null) {
        ((LsemDataSourceProperties) ds).setDriverProperty(p, a.getContent().toString());
      }
    }
    return ds;
  }
}
