package io.lsem.jdbc.codegen;

import java.io.IOException;
import java.io.Writer;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * Generates the classes asked for by {@link GenerateForwarder}, {@link GenerateStub},
 * {@link GenerateGuarded} and {@link GenerateDataSourceBase}.
 */
@SupportedAnnotationTypes({
    "io.lsem.jdbc.codegen.GenerateForwarder",
    "io.lsem.jdbc.codegen.GenerateStub",
    "io.lsem.jdbc.codegen.GenerateDataSourceBase",
    "io.lsem.jdbc.codegen.GenerateGuarded",
    "io.lsem.jdbc.codegen.RecordCalls"})
public final class ForwarderProcessor extends AbstractProcessor {

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    for (Element e : round.getElementsAnnotatedWith(GenerateForwarder.class)) {
      generate(e, e.getAnnotation(GenerateForwarder.class).value(), false, null);
    }
    for (Element e : round.getElementsAnnotatedWith(GenerateStub.class)) {
      generate(e, e.getAnnotation(GenerateStub.class).value(), true, null);
    }
    for (Element e : round.getElementsAnnotatedWith(GenerateGuarded.class)) {
      GenerateGuarded spec = e.getAnnotation(GenerateGuarded.class);
      generate(e, spec.value(), false, spec.guard());
    }
    for (Element e : round.getElementsAnnotatedWith(GenerateDataSourceBase.class)) {
      GenerateDataSourceBase spec = e.getAnnotation(GenerateDataSourceBase.class);
      TypeElement type = (TypeElement) e;
      String pkg = processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString();
      write(pkg, spec.name(), DataSourceBaseWriter.source(pkg, spec.name(), spec.over(),
          type.getSimpleName().toString()), e);
    }
    return true;
  }

  /** A forwarder, a stub, or with {@code guard} a guarded subclass. */
  private void generate(Element e, String className, boolean stub, String guard) {
    try {
      if (e.getKind() != ElementKind.CLASS || !e.getModifiers().contains(Modifier.ABSTRACT)) {
        throw new GenerationException(e, "only an abstract class can be the base of a generated class");
      }
      TypeElement type = (TypeElement) e;
      ClassModel model = new ClassModel(processingEnv, type);
      SourceWriter writer = new SourceWriter(processingEnv, model, className);
      String source = guard != null ? writer.guarded(guard) : stub ? writer.stub() : writer.forwarder();
      String pkg = processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString();
      write(pkg, className, source, e);
    } catch (GenerationException ex) {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, ex.getMessage(), ex.element);
    }
  }

  private void write(String pkg, String className, String source, Element origin) {
    try (Writer w = processingEnv.getFiler().createSourceFile(pkg + "." + className, origin).openWriter()) {
      w.write(source);
    } catch (IOException ex) {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
          "cannot write " + className + ": " + ex.getMessage(), origin);
    }
  }
}
