package dev.protocollab.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The suite's own small command-line client. {@code grpc} is a grpcurl look-alike (JSON in, JSON out,
 * methods discovered through server reflection) so every gRPC example in the README runs on a machine
 * that has only Java.
 */
public final class LabCli {

    private LabCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(GrpcCommand.USAGE);
            return 2;
        }
        return switch (args[0]) {
            case "grpc" -> GrpcCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            default -> {
                err.println("unknown command '" + args[0] + "'\n" + GrpcCommand.USAGE);
                yield 2;
            }
        };
    }
}
