package io.procagent.source.linux;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/**
 * A /proc file read at every scrape or sampling round, kept open and read again from its start:
 * /proc's files are made anew by the kernel at each read from offset 0, so this gives what opening
 * it again would, without the open, stat and close calls and the JDK's stream and cleaner that
 * come with each. Three such files (the host's stat and load, the JVM's own stat) are three file
 * descriptors the application sees in {@code /proc/self/fd}. For files of one record only, as
 * {@link ProcessTable#read}.
 *
 * <p>A read that fails closes the file and opens it once more (a descriptor closed under it by
 * the application, say); what fails then is thrown. Not thread-safe: its owner's reads are
 * serialised already.
 */
final class KeptFile {

  private final String path;
  private RandomAccessFile file;

  KeptFile(String path) {
    this.path = path;
  }

  /**
   * The file's bytes into {@code buf[0]}, grown as needed.
   *
   * @return how many
   * @throws NoSuchFileException when the file is not there (its process is gone, or /proc not mounted)
   */
  int read(byte[][] buf) throws IOException {
    if (file != null) {
      try {
        return readFrom(file, buf);
      } catch (IOException e) {
        close(); // opened again below
      }
    }
    try {
      file = new RandomAccessFile(path, "r");
    } catch (FileNotFoundException e) {
      if (!new File(path).exists()) {
        throw new NoSuchFileException(path, null, "process is gone or /proc not mounted");
      }
      throw e;
    }
    try {
      return readFrom(file, buf);
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private static int readFrom(RandomAccessFile f, byte[][] buf) throws IOException {
    f.seek(0);
    int total = 0;
    int r;
    while ((r = f.read(buf[0], total, buf[0].length - total)) > 0) {
      boolean shortRead = r < buf[0].length - total;
      total += r;
      if (shortRead && buf[0][total - 1] == '\n') {
        break; // all of it (see ProcessTable.read)
      }
      if (total == buf[0].length) {
        buf[0] = Arrays.copyOf(buf[0], total * 2);
      }
    }
    return total;
  }

  /** Closes the file; the next read opens it again. */
  void close() {
    RandomAccessFile f = file;
    file = null;
    if (f != null) {
      try {
        f.close();
      } catch (IOException e) {
        // nothing kept
      }
    }
  }
}
