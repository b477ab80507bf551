"""Given names and surnames for generated patients and providers.

The lists mix common US names with look-alikes that speech-to-text confuses (Jon and John,
Smith and Smyth, Reid and Reed, Catherine and Katharine) and Spanish names with accents.
"""

from __future__ import annotations


def _split(names: str) -> tuple[str, ...]:
    # Commas separate the names because some, such as "Juan Carlos", contain a space.
    return tuple(name.strip() for name in names.split(",") if name.strip())


FIRST_NAMES_FEMALE = _split(
    """
    Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, Lisa,
    Nancy, Betty, Sandra, Margaret, Ashley, Kimberly, Emily, Donna, Michelle, Carol, Amanda,
    Melissa, Deborah, Stephanie, Rebecca, Sharon, Laura, Cynthia, Amy, Kathleen, Angela,
    Helen, Anna, Brenda, Pamela, Emma, Nicole, Samantha, Katherine, Christine, Rachel,
    Catherine, Katharine, Carolyn, Janet, Ruth, Maria, Heather, Diane, Olivia, Julie, Joyce,
    Victoria, Kelly, Christina, Lauren, Joan, Evelyn, Judith, Megan, Andrea, Cheryl, Hannah,
    Jacqueline, Martha, Gloria, Teresa, Ann, Anne, Sara, Madison, Frances, Kathryn, Janice,
    Jean, Abigail, Alice, Judy, Sophia, Grace, Denise, Amber, Doris, Marilyn, Danielle,
    Beverly, Isabella, Theresa, Diana, Natalie, Brittany, Charlotte, Marie, Kayla, Alexis,
    Lori, Chloe, Mia, Ava, Harper, Priya, Mei, Aaliyah, Fatima, Ngoc, Hana, Siobhan, Zoe, Leah
    """
)

FIRST_NAMES_MALE = _split(
    """
    James, Robert, John, Jon, Michael, David, William, Richard, Joseph, Thomas, Christopher,
    Charles, Daniel, Matthew, Anthony, Mark, Donald, Steven, Stephen, Paul, Andrew, Joshua,
    Kenneth, Kevin, Brian, George, Timothy, Ronald, Edward, Jason, Jeffrey, Ryan, Jacob, Gary,
    Nicholas, Eric, Erik, Jonathan, Larry, Justin, Scott, Brandon, Benjamin, Samuel, Gregory,
    Alexander, Frank, Patrick, Raymond, Jack, Dennis, Jerry, Tyler, Aaron, Henry, Adam,
    Douglas, Nathan, Peter, Zachary, Kyle, Walter, Harold, Jeremy, Ethan, Carl, Keith, Roger,
    Gerald, Christian, Terry, Sean, Shawn, Arthur, Austin, Noah, Lawrence, Jesse, Joe, Bryan,
    Billy, Jordan, Albert, Dylan, Bruce, Willie, Gabriel, Alan, Juan, Logan, Wayne, Ralph,
    Roy, Eugene, Randy, Vincent, Russell, Louis, Philip, Bobby, Johnny, Bradley, Liam, Owen,
    Elijah, Lucas, Raj, Wei, Minh, Omar, Tariq, Declan, Aiden
    """
)

SPANISH_FIRST_NAMES_FEMALE = _split(
    """
    María, Lucía, Sofía, Valentina, Camila, Isabel, Ana, Carmen, Rosa, Guadalupe, Ximena,
    Daniela, Paula, Elena, Marisol, Luz, Alejandra
    """
)

SPANISH_FIRST_NAMES_MALE = _split(
    """
    José, Juan Carlos, Luis, Carlos, Jorge, Miguel Ángel, Francisco, Javier, Diego, Alejandro,
    Andrés, Mateo, Santiago, Ramón, Héctor, Rafael
    """
)

SURNAMES = _split(
    """
    Smith, Smyth, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor,
    Thomas, Moore, Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Robinson, Walker,
    Young, Allen, King, Wright, Scott, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell,
    Roberts, Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris,
    Murphy, Cook, Rogers, Morgan, Peterson, Petersen, Cooper, Reed, Reid, Bailey, Bell, Kelly,
    Howard, Ward, Cox, Richardson, Wood, Watson, Brooks, Bennett, Gray, Grey, James, Hughes,
    Price, Myers, Long, Foster, Sanders, Ross, Powell, Sullivan, Russell, Fisher, Fischer,
    Jenkins, Perry, Butler, Barnes, Henderson, Coleman, Simmons, Patterson, Jordan, Reynolds,
    Hamilton, Graham, Wallace, Woods, Cole, West, Owens, Marshall, Ellis, McDonald, MacDonald,
    O'Brien, O'Connor, Gallagher, Murray, Kennedy, Burke, Lachance, Tremblay, Gagnon,
    Bouchard, Nguyen, Tran, Le, Chen, Wang, Li, Zhang, Kim, Park, Lee, Patel, Shah, Singh,
    Khan, Ali, Hassan, Cohen, Levine, Schwartz, Novak, Kowalski, Nowak, Rossi, Russo,
    Esposito, Bianchi, Olsen, Olson, Hansen, Larsen, Larson, Johansson, Okafor, Mensah,
    Adeyemi
    """
)

SPANISH_SURNAMES = _split(
    """
    García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, Torres,
    Flores, Rivera, Gómez, Díaz, Morales, Reyes, Cruz, Ortiz, Gutiérrez, Chávez, Ramos, Ruiz,
    Mendoza, Vargas, Castillo, Jiménez, Moreno, Romero, Herrera, Medina, Aguilar, Vega
    """
)
