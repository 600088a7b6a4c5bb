package com.proposalsapp.registrar.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The sandbox as a JUnit 5 extension: one per test class, started (in a directory named after the
 * class) before the class's own {@code @BeforeAll} methods and killed after its last test.
 *
 * <pre>
 * &#64;RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.of(Options.defaults());
 * </pre>
 */
public final class SandboxExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private final Sandbox.Options options;
  private final boolean heal;
  private volatile Sandbox sandbox;

  private SandboxExtension(Sandbox.Options options, boolean heal) {
    this.options = options;
    this.heal = heal;
  }

  /** A sandbox started with {@code options}. */
  public static SandboxExtension of(Sandbox.Options options) {
    return new SandboxExtension(options, false);
  }

  /**
   * This sandbox, and before each test: dead Redis and Sentinels restarted, a paused etcd resumed,
   * and the topology settled again, whatever the test before did to them.
   */
  public SandboxExtension healedBeforeEachTest() {
    return new SandboxExtension(options, true);
  }

  /** The running sandbox; only between the class's start and its end. */
  public Sandbox get() {
    if (sandbox == null) {
      throw new IllegalStateException("the sandbox runs only while its test class does");
    }
    return sandbox;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    sandbox = Sandbox.start(context.getRequiredTestClass().getSimpleName(), options);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (heal) {
      sandbox.heal();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Sandbox s = sandbox;
    sandbox = null;
    if (s != null) {
      s.close();
    }
  }
}
