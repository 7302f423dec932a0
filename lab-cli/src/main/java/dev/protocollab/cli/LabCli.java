package dev.protocollab.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The suite's own small command-line client. {@code grpc} is a grpcurl look-alike (JSON in, JSON out,
 * methods discovered through server reflection) so every gRPC example in the README runs on a machine
 * that has only Java; {@code http} is a curl look-alike that also speaks HTTP/3 and h2c.
 */
public final class LabCli {

    private LabCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(GrpcCommand.USAGE + "\n" + HttpCommand.USAGE + "\n" + Tour.USAGE);
            return 2;
        }
        return switch (args[0]) {
            case "grpc" -> GrpcCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            case "http" -> HttpCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            case "demo" -> Tour.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            default -> {
                err.println("unknown command '" + args[0] + "'\n" + GrpcCommand.USAGE + "\n" + HttpCommand.USAGE + "\n"
                        + Tour.USAGE);
                yield 2;
            }
        };
    }
}
