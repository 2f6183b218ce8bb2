#pragma once
// One function per subcommand of the `regcensus` program. Each takes the
// arguments after the subcommand's name (argv[0] is the subcommand) and returns
// the process exit code. Each lives in its own file under src/cli/.
namespace regcensus::cli {

int run_command(int argc, char** argv);            // run: the census (under mpirun)
int analyze_layer_command(int argc, char** argv);  // analyze-layer: one blob's profile as JSON
int report_command(int argc, char** argv);         // report: headline figures of a results file
int synth_command(int argc, char** argv);          // synth: the deterministic test corpus
int push_command(int argc, char** argv);           // push: an OCI image layout into a registry
int fetch_command(int argc, char** argv);          // fetch: images into an OCI image layout (under mpirun)
int crawl_command(int argc, char** argv);          // crawl: list the images of a registry or Docker Hub
int plan_command(int argc, char** argv);           // plan: resolve images and cut layer shards, no analysis
int merge_command(int argc, char** argv);          // merge: results.h5 from the shard files of a work directory
int status_command(int argc, char** argv);         // status: shards done, failed and pending

}  // namespace regcensus::cli
