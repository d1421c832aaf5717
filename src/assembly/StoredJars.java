import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step (run by the pom before packaging): copies every jar of IN_DIR to OUT_DIR, those of
 * the named artifacts with each entry STORED, not deflated (keeping entry order, names, times and
 * bytes), the others as they are.
 *
 * <p>Why: for the jars every agent start loads classes from, reading a deflated class costs an
 * inflater and a buffer of the class's size in the host's heap (about 0.8 MB at start-up over
 * 170 classes); a stored one is read straight into the loader's array. Signed jars stay valid:
 * signatures cover the entries' bytes, not their compression.
 *
 * <p>Usage: {@code java src/assembly/StoredJars.java IN_DIR OUT_DIR ARTIFACT_ID,...}; a named
 * artifact without its jar ({@code ARTIFACT_ID-VERSION.jar}) in IN_DIR is an error.
 */
public class StoredJars {

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: java StoredJars.java IN_DIR OUT_DIR ARTIFACT_ID,...");
    }
    Path out = Files.createDirectories(Path.of(args[1]));
    try (DirectoryStream<Path> old = Files.newDirectoryStream(out, "*.jar")) {
      for (Path jar : old) {
        Files.delete(jar); // an earlier build's, perhaps of a dependency since removed
      }
    }
    Set<String> pending = new TreeSet<>(Arrays.asList(args[2].split(",")));
    int stored = 0;
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
      for (Path jar : jars) {
        String name = jar.getFileName().toString();
        String artifact = name.replaceFirst("-[0-9][^-]*(-[^.]*)?\\.jar$", "");
        if (pending.remove(artifact)) {
          store(jar, out.resolve(name));
          stored++;
        } else {
          Files.copy(jar, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    if (!pending.isEmpty()) {
      throw new IOException("no jar in " + args[0] + " for " + pending);
    }
    System.out.println("[StoredJars] " + stored + " jars stored uncompressed, the others copied, into " + out);
  }

  static void store(Path in, Path out) throws IOException {
    try (ZipFile zip = new ZipFile(in.toFile());
        OutputStream file = Files.newOutputStream(out);
        ZipOutputStream z = new ZipOutputStream(file)) {
      z.setMethod(ZipOutputStream.STORED);
      for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
        ZipEntry e = entries.nextElement();
        byte[] bytes;
        try (InputStream s = zip.getInputStream(e)) {
          bytes = s.readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        ZipEntry stored = new ZipEntry(e.getName());
        stored.setMethod(ZipEntry.STORED);
        stored.setTime(e.getTime());
        stored.setSize(bytes.length);
        stored.setCompressedSize(bytes.length);
        stored.setCrc(crc.getValue());
        z.putNextEntry(stored);
        z.write(bytes);
        z.closeEntry();
      }
    }
  }
}
