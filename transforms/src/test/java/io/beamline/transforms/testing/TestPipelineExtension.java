package io.beamline.transforms.testing;

import java.lang.reflect.Method;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * Beam's {@link TestPipeline} for JUnit 5 (Beam 2.62 has no Jupiter extension of its own).
 *
 * <p>Declare a {@code TestPipeline} parameter on a test (or {@code @BeforeEach}) method of a class
 * annotated {@code @ExtendWith(TestPipelineExtension.class)}: each test gets a fresh pipeline,
 * built from {@code -DbeamTestPipelineOptions} like Beam's own rule, so the same tests run on
 * other runners. The test method runs inside {@link TestPipeline#apply}, exactly as under
 * {@code @Rule}: after the test body, the pipeline is run if the test did not run it, and a
 * pipeline with transforms (for example a {@code PAssert}) applied but never run, or applied after
 * the run, fails the test. {@code TestPipeline.run()} itself fails the test when a {@code PAssert}
 * fails or did not execute.
 */
public final class TestPipelineExtension implements ParameterResolver, InvocationInterceptor {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TestPipelineExtension.class);
  private static final String KEY = "testPipeline";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestPipeline.class;
  }

  @Override
  public TestPipeline resolveParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException(
          "a TestPipeline is per test: declare it on a test or @BeforeEach method, not "
              + parameter.getDeclaringExecutable());
    }
    return pipeline(context);
  }

  @Override
  public void interceptTestMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    runUnderRule(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    runUnderRule(invocation, context);
  }

  /** The pipeline of the current test, created on first use. */
  private static TestPipeline pipeline(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            KEY,
            k ->
                TestPipeline.create()
                    .enableAbandonedNodeEnforcement(true)
                    .enableAutoRunIfMissing(true),
            TestPipeline.class);
  }

  private static void runUnderRule(Invocation<Void> invocation, ExtensionContext context)
      throws Throwable {
    TestPipeline pipeline = context.getStore(NAMESPACE).get(KEY, TestPipeline.class);
    if (pipeline == null) {
      // The test does not use a pipeline.
      invocation.proceed();
      return;
    }
    Method method = context.getRequiredTestMethod();
    Description description =
        Description.createTestDescription(
            context.getRequiredTestClass(), method.getName(), method.getAnnotations());
    Statement body =
        new Statement() {
          @Override
          public void evaluate() throws Throwable {
            invocation.proceed();
          }
        };
    pipeline.apply(body, description).evaluate();
  }
}
