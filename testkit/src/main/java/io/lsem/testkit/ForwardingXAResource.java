package io.lsem.testkit;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An {@link XAResource} that forwards every call to another, for tests and benchmarks that watch
 * or interrupt some of them (time the two-phase steps, die at one): override those. It is the same
 * resource manager only as itself, so a transaction manager enlists each wrapper on its own.
 */
public abstract class ForwardingXAResource implements XAResource {
  protected final XAResource delegate;

  protected ForwardingXAResource(XAResource delegate) {
    this.delegate = delegate;
  }

  @Override
  public int prepare(Xid xid) throws XAException {
    return delegate.prepare(xid);
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    delegate.commit(xid, onePhase);
  }

  @Override
  public void start(Xid xid, int flags) throws XAException {
    delegate.start(xid, flags);
  }

  @Override
  public void end(Xid xid, int flags) throws XAException {
    delegate.end(xid, flags);
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    delegate.rollback(xid);
  }

  @Override
  public Xid[] recover(int flag) throws XAException {
    return delegate.recover(flag);
  }

  @Override
  public void forget(Xid xid) throws XAException {
    delegate.forget(xid);
  }

  @Override
  public boolean isSameRM(XAResource other) {
    return other == this;
  }

  @Override
  public int getTransactionTimeout() throws XAException {
    return delegate.getTransactionTimeout();
  }

  @Override
  public boolean setTransactionTimeout(int seconds) throws XAException {
    return delegate.setTransactionTimeout(seconds);
  }
}
