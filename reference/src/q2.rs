//! Question 2: a client that sends every line typed at the keyboard, as soon as it is typed.

use crate::net::{self, Error};
use crate::Options;
use std::io;
use std::net::Shutdown;

pub fn client(opts: &Options) -> Result<(), Error> {
    let server = net::connect(&opts.host, opts.port)?;
    // The keyboard is read one line at a time (a terminal hands over a line
    // when Enter is pressed), and each line is sent before the next is read.
    let mut keyboard = io::stdin().lock();
    while let Some(line) = net::keyboard_line(&mut keyboard)? {
        net::send_line(&server, &line)?;
    }
    // End of input (Ctrl-D): say so to the server, which sees recv return 0.
    // It may already be gone; closing on drop is all that is left to do then.
    let _ = server.shutdown(Shutdown::Write);
    Ok(())
}
