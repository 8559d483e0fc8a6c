// Validate checks XML files against W3C XML Schemas with the validator built into Java 17
// (javax.xml.validation), offline: schemas may load other schemas from local files only, and
// documents' xsi:schemaLocation hints are never fetched. The export tests run it as a
// single-file program (no build step):
//
//   java export/testdata/xsd/Validate.java SCHEMA.xsd FILE... [SCHEMA.xsd FILE...]
//
// Each .xsd argument applies to the files after it. Prints "valid FILE" or every error as
// "FILE:LINE:COLUMN: message"; exits 1 when a file is invalid, 2 on bad usage or a schema that
// does not compile.

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

public class Validate {
    public static void main(String[] args) throws Exception {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        Schema schema = null;
        int invalid = 0, checked = 0;
        for (String arg : args) {
            if (arg.endsWith(".xsd")) {
                try {
                    schema = factory.newSchema(new File(arg));
                } catch (SAXParseException e) {
                    System.out.println(where(arg, e) + "schema does not compile: " + e.getMessage());
                    System.exit(2);
                }
                continue;
            }
            if (schema == null) {
                System.err.println("usage: java Validate.java SCHEMA.xsd FILE... [SCHEMA.xsd FILE...]");
                System.exit(2);
            }
            Validator v = schema.newValidator();
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            List<String> errors = new ArrayList<>();
            v.setErrorHandler(new ErrorHandler() {
                public void warning(SAXParseException e) {}
                public void error(SAXParseException e) { errors.add(where(arg, e) + e.getMessage()); }
                public void fatalError(SAXParseException e) throws SAXParseException { throw e; }
            });
            try {
                v.validate(new StreamSource(new File(arg)));
            } catch (SAXParseException e) {
                errors.add(where(arg, e) + e.getMessage());
            }
            checked++;
            if (errors.isEmpty()) {
                System.out.println("valid " + arg);
            } else {
                invalid++;
                errors.stream().limit(20).forEach(System.out::println);
                if (errors.size() > 20) System.out.println(arg + ": " + (errors.size() - 20) + " more errors");
            }
        }
        if (checked == 0) {
            System.err.println("usage: java Validate.java SCHEMA.xsd FILE... [SCHEMA.xsd FILE...]");
            System.exit(2);
        }
        System.exit(invalid > 0 ? 1 : 0);
    }

    static String where(String file, SAXParseException e) {
        return file + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": ";
    }
}
