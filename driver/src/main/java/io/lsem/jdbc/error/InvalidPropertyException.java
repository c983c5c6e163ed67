package io.lsem.jdbc.error;

import java.sql.SQLNonTransientConnectionException;

/**
 * A connection was refused before contacting the server because a driver property or the URL
 * is wrong: an unknown name that looks like one of the driver's properties, a value of the wrong
 * form, or a malformed URL. The message names the property, the rejected value (never a
 * password) and the accepted form. SQLSTATE {@code 08001}; retrying cannot succeed.
 */
public class InvalidPropertyException extends SQLNonTransientConnectionException {
  private static final long serialVersionUID = 1L;
  private final String propertyName;

  public InvalidPropertyException(String propertyName, String message) {
    super(message, "08001");
    this.propertyName = propertyName;
  }

  /** The property (or {@code "url"}) that was rejected. */
  public String propertyName() {
    return propertyName;
  }
}
