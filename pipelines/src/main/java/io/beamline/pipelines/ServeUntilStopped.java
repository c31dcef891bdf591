package io.beamline.pipelines;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a local server of a {@code *-local} command up until Ctrl-C or an interrupt, then stops
 * it. Ctrl-C ends the JVM through its shutdown hooks: the server is stopped cleanly there, so that
 * the next run on the same data dir does not have to recover.
 */
final class ServeUntilStopped {
  /** What runs once the server is up: preparing it and printing how to use it. */
  interface Announcement {
    void run() throws Exception;
  }

  private ServeUntilStopped() {}

  /**
   * Runs {@code announce}, then blocks until the JVM shuts down or this thread is interrupted
   * (tests, embedding); {@code stop} runs exactly once either way, also when {@code announce}
   * fails. An interrupt is passed on to the caller after the server has stopped.
   */
  static int serve(String name, Runnable stop, Announcement announce) throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stopOnce =
        () -> {
          synchronized (stopped) {
            if (stopped.getCount() == 0) {
              return;
            }
            try {
              stop.run();
            } finally {
              stopped.countDown();
            }
          }
        };
    Thread hook = new Thread(stopOnce, name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean interrupted = false;
    try {
      announce.run();
      stopped.await();
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      stopOnce.run();
      removeHook(hook);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return BeamlineCli.OK;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook is running or has run.
    }
  }
}
